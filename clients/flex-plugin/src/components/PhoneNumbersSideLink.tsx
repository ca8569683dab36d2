import React from 'react';
import type { SideLinkProps } from '@twilio/flex-ui';

interface Props {
  SideLink: React.ComponentType<SideLinkProps>;
  open: () => void;
}

/** "Phone numbers" in Flex's side navigation: opens the backend's admin console, signed in, in a new tab. */
export function PhoneNumbersSideLink({ SideLink, open }: Props) {
  return (
    <SideLink showLabel icon="Settings" iconActive="SettingsBold" isActive={false} onClick={open}>
      Phone numbers
    </SideLink>
  );
}
