"""The Scale section's table: one row per measure, one column per size, and the largest size over the smallest
(and over the smallest with a full first page)."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bench.scale import OPERATIONS, PER_PAGE, TWILIO_PAGE, Measure, Refresh, ScaleResults

CALL_PATH, EXPLICIT = OPERATIONS[0].name, OPERATIONS[1].name
NAME_WIDTH = max(len(op.name) for op in OPERATIONS)
LIMIT = 1.2
Value = float | int | str | None


@dataclass(frozen=True)
class Row:
    label: str
    values: dict[int, Value]
    show: Callable[[float], str]
    ratio: bool = True


def multiple(value: float) -> str:
    return f"{value:.2f}x"


def whole(value: float) -> str:
    return f"{value:,.0f}"


def seconds(value: float) -> str:
    return f"{value:.1f} s"


def units(value: float) -> str:
    return f"{value:,.1f}"


def cell(row: Row, value: Value) -> str:
    if value is None:
        return "-"
    return value if isinstance(value, str) else row.show(value)


def ratio(row: Row, low_size: int, high_size: int) -> str:
    low, high = row.values.get(low_size), row.values.get(high_size)
    if not row.ratio or not isinstance(low, int | float) or not isinstance(high, int | float) or low == 0:
        return ""
    return f"{high / low:.2f}"


def refresh_rows(results: ScaleResults, base: float) -> list[Row]:
    sizes, refreshes = results.sizes, results.refreshes

    def of(value: Callable[[Refresh], Value]) -> dict[int, Value]:
        return {size: value(refreshes[size]) for size in sizes if size in refreshes}

    def twilio(refresh: Refresh) -> dict[str, int]:
        return refresh.counts.twilio if refresh.counts else {}

    return [
        Row("list answers until the pass was over", of(lambda r: r.invocations), whole),
        Row("  of them failed (status >= 400)", of(lambda r: len(r.failures)), whole, ratio=False),
        Row("  the pass finished", of(lambda r: "yes" if r.finished else "NO"), str, ratio=False),
        Row("Twilio IncomingPhoneNumbers pages", of(lambda r: r.pages), whole),
        Row(f"  expected: ceil(N / {TWILIO_PAGE})", {s: math.ceil(s / TWILIO_PAGE) for s in sizes}, whole),
        Row("Twilio OutgoingCallerIds pages", of(lambda r: twilio(r).get("OutgoingCallerIds.json", 0)), whole),
        Row("Twilio requests, all", of(lambda r: sum(twilio(r).values())), whole),
        Row("DynamoDB requests", of(lambda r: r.counts.dynamodb_total if r.counts else None), whole),
        Row("DynamoDB bytes read", of(lambda r: r.counts.dynamodb_bytes if r.counts else None), whole),
        Row("wall time, seconds (absolute)", of(lambda r: r.seconds), seconds),
        Row("wall time / GetItem p50", of(lambda r: r.seconds / base), whole),
    ]


def samples_cell(measure: Measure) -> str:
    failed = f" ({len(measure.failures)} failed)" if measure.failures else ""
    return "broken" if measure.broken else f"{len(measure.samples)}{failed}"


def operation_rows(results: ScaleResults, name: str, base: float, replayed: str | None) -> list[Row]:
    measures = {size: results.measures[(name, size)] for size in results.sizes if (name, size) in results.measures}

    def latency(value: Callable[[Measure], float | None]) -> dict[int, Value]:
        out: dict[int, Value] = {}
        for size, measure in measures.items():
            seconds_ = value(measure)
            out[size] = None if seconds_ is None else seconds_ / base
        return out

    def p95(measure: Measure) -> float | None:
        return statistics.quantiles(measure.samples, n=100)[94] if len(measure.samples) >= 20 else None

    def without_moto(measure: Measure) -> float | None:
        p50, raw = measure.p50(), measure.raw_p50()
        return None if p50 is None or raw is None else p50 - raw

    rows = [
        Row(f"{name}: p50 / GetItem", latency(Measure.p50), multiple),
        Row(f"{name}: p95 / GetItem", latency(p95), multiple),
    ]
    if replayed:
        rows += [
            Row(f"{name}: p50 without moto's {replayed}", latency(without_moto), multiple),
            Row(f"{name}: moto's raw {replayed} p50", latency(Measure.raw_p50), multiple),
            Row(f"{name}: its raw {replayed}, bytes", {s: m.raw_bytes for s, m in measures.items()}, whole),
        ]
    working = {size: measure for size, measure in measures.items() if not measure.broken}
    rows += [
        Row(f"{name}: Twilio requests", {s: sum(m.twilio.values()) for s, m in working.items()}, whole),
        Row(f"{name}: DynamoDB requests", {s: sum(m.requests.values()) for s, m in working.items()}, whole),
        Row(f"{name}: DynamoDB read units", {s: sum(m.read_units.values()) for s, m in working.items()}, units),
        Row(f"{name}: DynamoDB write units", {s: sum(m.write_units.values()) for s, m in working.items()}, units),
        Row(f"{name}: DynamoDB bytes read", {s: m.bytes for s, m in working.items()}, whole),
        Row(f"{name}: samples", {s: samples_cell(m) for s, m in measures.items()}, str, ratio=False),
    ]
    return rows


def compared(sizes: tuple[int, ...]) -> list[tuple[int, int]]:
    """The ratio columns: the largest size over the smallest, and over the smallest with a full first page."""
    full = [size for size in sizes if size >= PER_PAGE]
    pairs = [(sizes[0], sizes[-1])]
    if full and full[0] not in (sizes[0], sizes[-1]):
        pairs.append((full[0], sizes[-1]))
    return pairs


def print_table(title: str, rows: list[Row], sizes: tuple[int, ...]) -> None:
    width = max(len(r.label) for r in rows) + 2
    pairs = compared(sizes)
    header = "".join(f" {size:>12,}" for size in sizes) + "".join(f"{f'{h:,} ÷ {low:,}':>17}" for low, h in pairs)
    print(f"\n  {title:<{width}}{header}")
    for row in rows:
        cells = "".join(f" {cell(row, row.values.get(size)):>12}" for size in sizes)
        ratios = "".join(f"{ratio(row, low, high):>17}" for low, high in pairs)
        print(f"  {row.label:<{width}}{cells}{ratios}")


def verdict(results: ScaleResults, name: str) -> str:
    """Whether the operation's p50 at the largest size is within ``LIMIT`` times its p50 at the smallest (and,
    when the largest was not measured, the largest that was)."""
    low, high = results.sizes[0], results.sizes[-1]
    measured = [s for s in results.sizes if (m := results.measures.get((name, s))) and m.p50() is not None]
    if low not in measured:
        return f"{name}: p50 at {low:,} numbers not measured (see the failures below)."
    if high not in measured:
        line = f"{name}: p50 at {high:,} numbers not measured (see the failures below)."
        if measured[-1] == low:
            return line
        return line + " " + comparison(results, name, low, measured[-1])
    return comparison(results, name, low, high)


def comparison(results: ScaleResults, name: str, low: int, high: int) -> str:
    small, large = results.measures[(name, low)], results.measures[(name, high)]
    small_p50, large_p50 = small.p50() or 0.0, large.p50() or 0.0
    times = large_p50 / small_p50
    within = "within" if times <= LIMIT else "NOT within"
    line = f"{name}: p50 at {high:,} numbers is {times:.2f}x its p50 at {low:,}: {within} {LIMIT}x."
    small_raw, large_raw = small.raw_p50(), large.raw_p50()
    if small_raw is not None and large_raw is not None:
        replayed = next(op.replayed for op in OPERATIONS if op.name == name)
        line += f" Without moto's {replayed}: {(large_p50 - large_raw) / (small_p50 - small_raw):.2f}x."
    return line


def summary_cell(measure: Measure | None, base: float) -> str:
    """Twilio requests / DynamoDB requests / read units / bytes / p50 ÷ GetItem, of one operation at one size."""
    if measure is None:
        return ""
    if measure.broken:
        return "broken"
    p50 = measure.p50()
    latency = f"{p50 / base:.1f}x" if p50 is not None else "-"
    read = sum(measure.read_units.values())
    return (
        f"{sum(measure.twilio.values())} / {sum(measure.requests.values())} / {read:,g} / {measure.bytes:,} / {latency}"
    )


def print_summary(results: ScaleResults, base: float) -> None:
    """One line per operation: what the README's table shows."""
    print("\n  Per operation: Twilio requests / DynamoDB requests / DynamoDB read units / bytes read / p50 ÷ GetItem")
    width = max(len(op.name) for op in OPERATIONS) + 2
    print(f"  {'':<{width}}" + "".join(f" {size:>36,}" for size in results.sizes))
    for operation in OPERATIONS:
        cells = [summary_cell(results.measures.get((operation.name, size)), base) for size in results.sizes]
        print(f"  {operation.name:<{width}}" + "".join(f" {c:>36}" for c in cells))


def print_units(results: ScaleResults) -> None:
    print("\n  DynamoDB read and write units by operation (one warm operation)")
    for size in results.sizes:
        for operation in OPERATIONS:
            measure = results.measures.get((operation.name, size))
            if measure is not None and not measure.broken:
                read, write = json.dumps(measure.read_units), json.dumps(measure.write_units)
                print(f"    {size:>6,}  {operation.name:<{NAME_WIDTH}} read {read}   write {write}")


def print_requests(results: ScaleResults) -> None:
    print("\n  DynamoDB requests by operation (one warm operation; the first list: all of its invocations)")
    for size in results.sizes:
        refresh = results.refreshes.get(size)
        if refresh and refresh.counts:
            print(f"    {size:>6,}  {'first list':<{NAME_WIDTH}} {json.dumps(refresh.counts.dynamodb)}")
            print(f"    {'':>6}  {'first list, Twilio':<{NAME_WIDTH}} {json.dumps(refresh.counts.twilio)}")
        for operation in OPERATIONS:
            measure = results.measures.get((operation.name, size))
            if measure is not None:
                failed = "   (failed)" if measure.broken else ""
                print(f"    {size:>6,}  {operation.name:<{NAME_WIDTH}} {json.dumps(measure.requests)}{failed}")


def print_failures(results: ScaleResults) -> None:
    lines: list[str] = []
    for size in results.sizes:
        refresh = results.refreshes.get(size)
        for line in refresh.failures if refresh else []:
            lines.append(f"{size:>6,}  first list, {line}")
        for operation in OPERATIONS:
            measure = results.measures.get((operation.name, size))
            if measure is None:
                continue
            if measure.broken:
                lines.append(f"{size:>6,}  {operation.name} (warm, not sampled): {measure.broken}")
            for text, times in Counter(measure.failures).items():
                lines.append(f"{size:>6,}  {operation.name}, {times} sample(s): {text}")
    print("\n  Failures" + ("" if lines else ": none"))
    for line in lines:
        print(f"    {line}")


def print_scale(results: ScaleResults) -> None:
    if not results.baseline:
        print("\nScale: nothing measured.")
        return
    base = statistics.median(results.baseline)
    print(
        f"\nScale: a subaccount with N numbers in a stack of its own; latency as multiples of a raw DynamoDB "
        f"GetItem p50 ({base * 1000:.2f} ms here, {len(results.baseline)} samples in the same rounds)"
    )
    print_table("First list (refresh from Twilio)", refresh_rows(results, base), results.sizes)
    rows = [row for op in OPERATIONS for row in operation_rows(results, op.name, base, op.replayed)]
    print_table("Steady state (warm token but for a new agent's page load)", rows, results.sizes)
    print(f"\n  {verdict(results, CALL_PATH)}")
    print(f"  {verdict(results, EXPLICIT)}")
    print_summary(results, base)
    print_requests(results)
    print_units(results)
    print_failures(results)
