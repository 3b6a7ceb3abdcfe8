"""The `benchctl` command line: thin Typer commands over the library (parse → call → render)."""
