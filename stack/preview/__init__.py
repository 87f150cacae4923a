"""The preview platform: ECS orchestrator, edit workers, Hermes session API and the load balancer."""
