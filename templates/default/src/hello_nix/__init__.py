"""A minimal command-line project: lock2nix's flake template."""

import click


@click.command()
@click.argument("name", default="world")
def main(name: str) -> None:
    click.echo(f"hello, {name}")
