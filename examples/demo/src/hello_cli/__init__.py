"""The example project of lock2nix: greet with click and rich."""

import click
from rich.console import Console


@click.command()
@click.argument("name", default="world")
def main(name: str) -> None:
    Console().print(f"[bold]hello[/bold], {name}")
