"""The Telegram bot on aiogram 3: `bot.py` wires everything; handlers only adapt updates."""
