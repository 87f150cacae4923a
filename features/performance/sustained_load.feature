@preview @performance @slow @serial
Feature: Sessions keep starting through a sustained period of steady arrivals
  As the operator of the platform
  I want sessions that arrive steadily for minutes to keep starting quickly
  So that the platform's speed holds up for longer than a short test

  The seed's own load: ten site owners a minute for two minutes (the profile says how many and for
  how long), on a fixed schedule, each time measured from the moment a session was due.

  Background:
    Given no edit containers are running

  @id.performance.sustained_load.steady_arrivals
  Scenario: Sessions arriving steadily for the sustained period start quickly within the containers' limits
    When site owners start sessions steadily for the sustained period
    Then the time for sessions to start meets its thresholds
    And the share of sessions that start meets its thresholds
    And the edit containers' processor use meets its thresholds
    And the edit containers' memory use meets its thresholds
