"""Adapters that carry the channel-agnostic dialogue (`otklik.dialogue.core`) to messengers."""
