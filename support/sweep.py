"""Removing what test runs created: this run's resources at its end, every TEST_ run's on demand.

`python -m support.sweep [--profile NAME] [--prefix TEST_]` is what `make sweep` runs after the
stack's own sweep, for leftovers of killed runs on a target that outlives a run (an attached
`make stack`, or staging).
"""
import argparse
import sys

from botocore.exceptions import BotoCoreError, ClientError

from support.aws import AwsClients
from support.config import ProfileError, load_profile
from support.embedded import read_state, state_path
from support.run import PREFIX
from support.workspace import workspace_for


def sweep(profile, aws, workspace, prefix):
    """Deletes session items, preview objects and workspaces whose client starts with `prefix`."""
    names = profile["names"]
    dynamodb, s3 = aws("dynamodb"), aws("s3")
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=names["sessions_table"], FilterExpression="begins_with(clientId, :p)",
        ExpressionAttributeValues={":p": {"S": prefix}}, ProjectionExpression="sessionId")
    sessions = [item["sessionId"] for page in pages for item in page["Items"]]
    for key in sessions:
        dynamodb.delete_item(TableName=names["sessions_table"], Key={"sessionId": key})
    listing = s3.get_paginator("list_objects_v2").paginate(Bucket=names["preview_bucket"], Prefix=prefix)
    objects = [{"Key": obj["Key"]} for page in listing for obj in page.get("Contents", [])]
    for start in range(0, len(objects), 1000):
        s3.delete_objects(Bucket=names["preview_bucket"], Delete={"Objects": objects[start:start + 1000]})
    return {"session items": len(sessions), "preview objects": len(objects),
            "workspaces": len(workspace.remove_prefixed(prefix))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="local")
    parser.add_argument("--prefix", default=PREFIX, help="what names must start with (default: every test run)")
    args = parser.parse_args(argv)
    try:
        profile = load_profile(args.profile)
    except ProfileError as error:
        print(f"sweep: {error}", file=sys.stderr)
        return 2
    if profile.embedded:
        state = read_state(state_path(profile["stack"]))
        if not state:
            print("sweep: no embedded stack is running; its state went with it")
            return 0
        profile = profile.with_stack(state)
    try:
        removed = sweep(profile, AwsClients(profile), workspace_for(profile), args.prefix)
    except (BotoCoreError, ClientError) as error:
        print(f"sweep: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print("sweep: removed " + ", ".join(f"{count} {what}" for what, count in removed.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
