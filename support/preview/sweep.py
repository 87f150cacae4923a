"""What a run (or a killed run) left on the preview platform: session items, preview objects and
workspaces whose client starts with the prefix, and mail to its site owners in an inbox bucket."""


def sweep(preview, workspace, prefix, mailbox=None):
    names = preview.names
    dynamodb = preview.store.dynamodb
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=names["sessions_table"], FilterExpression="begins_with(clientId, :p)",
        ExpressionAttributeValues={":p": {"S": prefix}}, ProjectionExpression="sessionId")
    sessions = [item["sessionId"] for page in pages for item in page["Items"]]
    for key in sessions:
        dynamodb.delete_item(TableName=names["sessions_table"], Key={"sessionId": key})
    listing = preview.s3.get_paginator("list_objects_v2").paginate(Bucket=names["preview_bucket"], Prefix=prefix)
    objects = [{"Key": obj["Key"]} for page in listing for obj in page.get("Contents", [])]
    for start in range(0, len(objects), 1000):
        preview.s3.delete_objects(Bucket=names["preview_bucket"], Delete={"Objects": objects[start:start + 1000]})
    removed = {"session items": len(sessions), "preview objects": len(objects),
               "workspaces": len(workspace.remove_prefixed(prefix))}
    if mailbox is not None and hasattr(mailbox.reader, "remove_to"):
        removed["inbox messages"] = mailbox.remove_to(prefix)
    return removed
