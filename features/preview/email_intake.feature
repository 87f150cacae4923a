@preview @email @serial
Feature: Site owners edit their site by email
  As a site owner who prefers email
  I want to send instructions to my site's editing address and get an answer I can reply to
  So that one email conversation is one line of work on my site

  Background:
    Given no edit containers are running

  @smoke @id.preview.email_intake.emailed_instruction
  Scenario: An emailed instruction starts a session and is acknowledged
    When a site owner emails the instruction "Add a new page called "Contact""
    Then a session is started for the email's conversation
    And the site owner receives an acknowledgement that names the conversation
    And an edit container is ready within the cold start budget
    And the preview shows a page titled "Contact"

  @id.preview.email_intake.reply_continues @use.with_capability=workspace_files
  Scenario: A reply in the conversation continues the same work and workspace
    Given a site owner's emailed instruction "Create page A" has been acknowledged
    When the site owner replies in that conversation with "Create page B"
    Then the reply is handled in the same conversation
    And the site owner's workspace holds the pages "Page A" and "Page B"

  @id.preview.email_intake.unreadable_message
  Scenario: An unreadable message is set aside with a reason and the next email is still handled
    When an unreadable message arrives for a site owner
    And the site owner emails the instruction "Create page C"
    Then the unreadable message is set aside with a reason that says what was missing from it
    And a session is started for the email's conversation
