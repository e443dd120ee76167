"""A local web app that shows JSON documents pretty, highlighted, foldable and exactly as sent."""
