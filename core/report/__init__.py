"""One self-contained HTML report (works offline) plus every table as CSV/LaTeX and every
figure as PNG/SVG: what a thesis chapter needs, from the same results the pages show."""
