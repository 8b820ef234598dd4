from hwgen.cli import run

run()
