import sys

try:  # Ctrl-C while the modules load: as quiet as Ctrl-C during a command
    from generator.cli import run
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    sys.exit(130)

run()
