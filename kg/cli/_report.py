"""What ``kg build`` and ``kg add`` print about bad input: one line per problem as it is met,
and the counts in the summary (skipped records, papers cut short and unread files apart, so
that a user sees what is missing from the graph and why)."""

from __future__ import annotations

from kg.errors import InputProblem, Truncated


def echo_problem(problem: InputProblem) -> None:
    """One line on stderr, as the problem is met (above any progress bar)."""
    from kg.progress import echo

    verb = "truncated" if isinstance(problem, Truncated) else "skipped"
    echo(f"kg: {verb} {problem}")


def summary_lines(problems: list[InputProblem]) -> list[str]:
    """The summary's lines for ``problems`` (none when there were none)."""
    from kg.ingest.inputs import SkippedFiles

    truncated = sum(isinstance(p, Truncated) for p in problems)
    files = sum(isinstance(p, SkippedFiles) for p in problems)
    records = len(problems) - truncated - files
    lines = []
    if records:
        lines.append(f"  skipped:  {records} records (see messages above)")
    if truncated:
        lines.append(f"  truncated: {truncated} papers with too many entities (see above)")
    if files:
        lines.append(f"  not read: files of no input type in {files} directories (see above)")
    return lines
