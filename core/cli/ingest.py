"""`python -m core ingest PATH... --out FILE`: load logs into the canonical table."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli.args import float_range, input_path, table_out
from core.errors import UserError
from core.io import MAX_UPLOAD_BYTES, read_paths, write_table

HELP = ("Read CSV / JSON / JSONL / Parquet / Artillery logs (files or folders, .gz too) into "
        "the canonical request table; report rejected rows and why.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", type=input_path,
                        help="files or folders (recursive)")
    parser.add_argument("--out", required=True, metavar="FILE", type=table_out,
                        help="canonical table to write (.csv or .parquet)")
    parser.add_argument("--max-mb", type=float_range(0, strict_lo=True),
                        default=MAX_UPLOAD_BYTES / 1024**2, metavar="N",
                        help="refuse a file larger than N MB, or one that decompresses to more "
                             "(default: %(default)g)")
    parser.add_argument("--rejected", metavar="FILE", type=table_out,
                        help="also write the rejected rows (source, line, reason, raw)")


def run(args: argparse.Namespace) -> dict:
    if not args.max_mb > 0:
        raise UserError(f"--max-mb must be a positive number of megabytes; got {args.max_mb}. "
                        "Pass e.g. --max-mb 500.")
    result = read_paths(args.paths, max_bytes=int(args.max_mb * 1024**2), allow_empty=True)
    if args.rejected:
        write_table(result.rejected, args.rejected)
    if result.frame.empty:  # an empty result is bad input, not a success with 0 rows
        reasons = result.summary()["rejected_by_reason"]
        top = max(reasons, key=reasons.get) if reasons else "no records"
        raise UserError(f"No usable rows: all {len(result.rejected):,} rows were rejected "
                        f"(most often: {top}); nothing written to {args.out}. See the reasons "
                        "with --rejected FILE.")
    out = write_table(result.frame, args.out)
    report = {**result.summary(), "out": str(out)}
    if args.rejected:
        report["rejected_out"] = str(args.rejected)
    return report


def render(result: dict) -> str:
    lines = [f"read {result['rows_read']:,} rows from {result['files']} file(s): "
             f"{result['rows_accepted']:,} accepted, {result['rows_rejected']:,} rejected, "
             f"{result['error_rows']:,} error responses (kept, flagged is_error)"]
    lines += [f"  rejected {n:,}: {reason}" for reason, n in result["rejected_by_reason"].items()]
    lines += [f"warning: {w}" for w in result["warnings"]]
    lines.append(f"wrote {Path(result['out'])}")
    if result.get("rejected_out"):
        lines.append(f"wrote rejected rows to {result['rejected_out']}")
    return "\n".join(lines)
