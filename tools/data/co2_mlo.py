#!/usr/bin/env python3
"""Clean CSV of NOAA GML's Mauna Loa monthly CO2 record from the datasets/co2-ppm repository.

Usage: co2_mlo.py CO2_MM_MLO_CSV > co2-mm-mlo.csv
   e.g. git -C co2-ppm show HEAD:data/co2-mm-mlo.csv > raw.csv && co2_mlo.py raw.csv > co2-mm-mlo.csv

The upstream file's header names six columns (Date, Decimal Date, Average, Interpolated, Trend,
Number of Days: NOAA's old layout) but its data rows hold NOAA's current seven fields:
year-month, decimal year, monthly mean, de-seasonalized, number of daily means (-1: not known),
standard deviation of the daily means, uncertainty of the monthly mean. This keeps the first
three -- date, decimal_year, average (the monthly mean, ppm) -- and checks every row: seven
fields, consecutive months, a decimal year inside its month. A monthly mean of -99.99 (NOAA's
"missing") is replaced by the linear interpolation between the nearest months that have one and
reported on stderr; a missing first or last month is an error.
"""
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    header, rows = lines[0], lines[1:]
    if not header.startswith("Date,Decimal Date,Average"):
        sys.exit(f"{path}:1: unexpected header {header!r}")
    out = []
    for i, line in enumerate(rows, start=2):
        fields = line.split(",")
        if len(fields) != 7:
            sys.exit(f"{path}:{i}: {len(fields)} fields, expected 7 (NOAA's monthly layout)")
        date, decimal, average = fields[0], float(fields[1]), float(fields[2])
        year, month = (int(x) for x in date.split("-"))
        if not (year + (month - 1) / 12 <= decimal <= year + month / 12):
            sys.exit(f"{path}:{i}: decimal year {decimal} is not in {date}")
        if out:
            py, pm = out[-1][0]
            if (year, month) != ((py, pm + 1) if pm < 12 else (py + 1, 1)):
                sys.exit(f"{path}:{i}: {date} does not follow {py}-{pm:02d}: a month is missing")
        out.append([(year, month), fields[1], None if average <= -99 else average])
    for k, row in enumerate(out):
        if row[2] is not None:
            continue
        lo = next((j for j in range(k - 1, -1, -1) if out[j][2] is not None), None)
        hi = next((j for j in range(k + 1, len(out)) if out[j][2] is not None), None)
        if lo is None or hi is None:
            sys.exit(f"{path}: month {row[0]} is missing at the end of the record")
        row[2] = out[lo][2] + (out[hi][2] - out[lo][2]) * (k - lo) / (hi - lo)
        print(f"interpolated {row[0][0]}-{row[0][1]:02d}: {row[2]:.2f}", file=sys.stderr)
    print("date,decimal_year,average")
    for (year, month), decimal, average in out:
        print(f"{year}-{month:02d},{decimal},{average:.2f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
