"""The guardian data plane (seed 000): its Terraform-named resources in moto and its operations API."""
from stack.area import Service, StackArea
from stack.guardian.resources import provision, publish

AREA = StackArea(
    name="guardian",
    services={"guardian": Service("stack.guardian.server", "/health")},
    needs_aws=True,
    provision=provision,
    publish=publish,
)
