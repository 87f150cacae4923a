@gateway
Feature: A tenant's traces are its own
  As a tenant of the explanation gateway
  I want no other tenant to see, follow or change my traces
  So that my users' questions and explanations stay private

  @id.gateway.tenant_isolation.other_tenant
  Scenario: Another tenant can neither read, follow, subscribe to nor cancel a tenant's trace
    Given tenant A has asked for an answer explained token by token
    When tenant B tries to read, follow, subscribe to and cancel tenant A's trace
    Then every attempt is refused as if the trace did not exist
    And tenant A's trace still completes within the trace complete budget

  @id.gateway.tenant_isolation.audited @use.with_capability=audit_log
  Scenario: Another tenant's attempts are recorded as denials for that tenant
    Given tenant A has asked for an answer explained token by token
    When tenant B tries to read, follow, subscribe to and cancel tenant A's trace
    Then the audit log shows every attempt as a denial for tenant B on tenant A's trace
