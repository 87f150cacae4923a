"""The operators' infrastructure check: `python -m support.guardian.check --profile P`.

Reads the profile's guardian deployment (or `--project`/`--env` for another one) through AWS
describe and get APIs only, prints each resource with `ok` or its differences from the contract,
changes nothing, and exits 1 on any difference (2 when the target cannot be checked at all).
"""
import argparse
import sys

from botocore.exceptions import BotoCoreError, ClientError

from support.aws import AwsClients
from support.config import ProfileError, load_profile
from support.embedded import read_state, state_path
from support.guardian.inspection import run


class CannotCheck(RuntimeError):
    pass


def deployment(profile):
    """(AWS clients, project, env) of the profile's guardian; a local profile reads the running stack."""
    if profile.embedded:
        state = read_state(state_path(profile["stack"]))
        if state is None:
            raise CannotCheck(f"profile '{profile.name}' is the embedded stack, and none is running "
                              "(start one with `make stack`)")
        profile = profile.with_stack(state)
    if "guardian" not in profile.areas:
        raise CannotCheck(f"profile '{profile.name}' has no guardian target (no guardian section in "
                          f"{profile.source}, or its base_url is empty)")
    if not profile.data.get("aws"):
        raise CannotCheck(f"profile '{profile.name}' has no aws section ({profile.source})")
    section = profile.area("guardian")
    return AwsClients(profile["aws"]), section["project"], section["env"]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m support.guardian.check", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", required=True, help="a profile name (config/profiles/<name>.yaml) or path")
    parser.add_argument("--project", help="the names' project part, instead of the profile's")
    parser.add_argument("--env", help="the names' environment part, instead of the profile's")
    args = parser.parse_args(argv)
    try:
        aws, project, env = deployment(load_profile(args.profile))
        found = run(aws, args.project or project, args.env or env)
    except (ProfileError, CannotCheck) as error:
        print(f"guardian check: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(f"guardian check: AWS is not usable ({type(error).__name__}: {error})", file=sys.stderr)
        return 2
    print(f"{len(found)} difference(s) from the contract" if found else "as agreed: no differences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
