"""One module per command. Each defines HELP, add_arguments(parser), run(args) -> dict
and render(result) -> str; dispatch.COMMANDS lists them in the order `--help` shows."""
