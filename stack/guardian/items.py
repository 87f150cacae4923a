"""Plain dicts to DynamoDB items and back (numbers travel as Decimal in DynamoDB's type system)."""
import json
from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def to_item(values):
    exact = json.loads(json.dumps(values), parse_float=Decimal)
    return {key: _SERIALIZER.serialize(value) for key, value in exact.items() if value is not None}


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, (list, set)):
        return [_plain(inner) for inner in value]
    return value


def from_item(item):
    return {key: _plain(_DESERIALIZER.deserialize(value)) for key, value in item.items()}


def query_all(dynamodb, limit=None, **request):
    """Every page of a query, up to `limit` items (asked of DynamoDB too, so it reads no more)."""
    if limit and "Limit" not in request:
        request["Limit"] = limit
    found = []
    while True:
        page = dynamodb.query(**request)
        found += page["Items"]
        if "LastEvaluatedKey" not in page or (limit and len(found) >= limit):
            return found[:limit] if limit else found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
