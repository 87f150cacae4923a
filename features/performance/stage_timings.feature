@preview @performance @serial
Feature: Every stage of an emailed edit is fast enough, by the platform's own clock
  As the owner of the platform's response times
  I want each stage of an edit timed from the events the systems themselves log
  So that a slow stage is named, instead of hiding in a total measured by polling

  The stages are: the email is received, the edit container has started, the instruction is
  done, the site is built, the preview is uploaded and the change is pushed. Each is timed from
  the one before it (the first from the moment the email was sent).

  @perf_smoke @id.performance.stage_timings.every_stage
  Scenario: An emailed instruction passes through every stage within its budget
    Given no edit containers are running
    When a site owner emails an instruction and the platform carries it through every stage
    Then each stage of the flow is within its budget
    And the whole flow is within the whole flow budget
