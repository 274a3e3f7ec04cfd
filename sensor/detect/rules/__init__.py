"""The detection rules, one per module; ``sensor.detect.registry`` lists them."""
