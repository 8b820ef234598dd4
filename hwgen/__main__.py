from hwgen.app.cli import run

run()
