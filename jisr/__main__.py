from jisr.cli.app import run

run()
