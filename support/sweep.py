"""`python -m support.sweep [--profile NAME] [--prefix TEST_]`: removes what test runs left behind.

This is what `make sweep` runs after the stack's own sweep, for leftovers of killed runs on a target
that outlives a run (an attached `make stack`, or staging). Each area of the profile sweeps its own.
"""
import argparse
import sys

from botocore.exceptions import BotoCoreError, ClientError

from support.areas import BY_NAME
from support.config import ProfileError, load_profile
from support.embedded import read_state, state_path
from support.run import PREFIX, Run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="local")
    parser.add_argument("--prefix", default=PREFIX, help="what names must start with (default: every test run)")
    args = parser.parse_args(argv)
    try:
        profile = load_profile(args.profile)
        if profile.embedded:
            state = read_state(state_path(profile["stack"]))
            if not state:
                print("sweep: no embedded stack is running; its state went with it")
                return 0
            profile = profile.with_stack(state)
    except ProfileError as error:
        print(f"sweep: {error}", file=sys.stderr)
        return 2
    status = 0
    for name in profile.areas:
        if profile.embedded and name not in state.get("areas", ()):
            continue
        area = BY_NAME[name]
        clients = area.clients(profile, Run(), {})
        try:
            removed = area.sweep(clients, args.prefix)
            print(f"sweep: {name}: removed " + (", ".join(f"{n} {what}" for what, n in removed.items()) or "nothing"))
        except (BotoCoreError, ClientError, OSError) as error:
            print(f"sweep: {name}: {type(error).__name__}: {error}", file=sys.stderr)
            status = 1
        finally:
            area.close(clients)
    return status


if __name__ == "__main__":
    sys.exit(main())
