"""A small IMAP4rev1 server on 127.0.0.1 for the mail intake's tests: one mailbox, the commands
Python's imaplib sends for it (CAPABILITY, LOGIN, SELECT/EXAMINE with UIDVALIDITY, UID SEARCH by
«UID n:*» or «SINCE date», UID FETCH BODY.PEEK[], LOGOUT), over a real socket."""

import socketserver
import threading
from dataclasses import dataclass, field
from datetime import date, datetime

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class Mailbox:
    user: str = "obr@example.ru"
    password: str = "secret"
    letters: dict[int, bytes] = field(default_factory=dict)
    arrived: dict[int, date] = field(default_factory=dict)
    uidvalidity: int = 1
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes, arrived: date | None = None) -> int:
        uid = max(self.letters, default=100) + 1
        self.letters[uid] = raw
        self.arrived[uid] = arrived or datetime.now().date()
        return uid

    def search(self, criteria: str) -> list[int]:
        uids = sorted(self.letters)
        kind, _, value = criteria.partition(" ")
        if kind.upper() == "UID":  # «n:*»: from n on; «*» is the last UID, so the last one always matches
            first = int(value.split(":")[0])
            return [u for u in uids if u >= first] or uids[-1:]
        if kind.upper() == "SINCE":
            day, month, year = value.split("-")
            since = date(int(year), MONTHS.index(month) + 1, int(day))
            return [u for u in uids if self.arrived[u] >= since]
        return uids


def _handler(box: Mailbox):
    class Handler(socketserver.StreamRequestHandler):
        def send(self, line: str | bytes) -> None:
            self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

        def handle(self) -> None:
            self.send("* OK fake IMAP4rev1 ready")
            logged_in = False
            while raw := self.rfile.readline():
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                tag, _, rest = line.partition(" ")
                command, _, args = rest.partition(" ")
                command = command.upper()
                if command == "UID":
                    sub, _, args = args.partition(" ")
                    command = f"UID {sub.upper()}"
                box.commands.append(command)
                if command == "CAPABILITY":
                    self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                elif command == "LOGIN":
                    user, password = (p.strip('"') for p in args.split(" ", 1))
                    if (user, password) != (box.user, box.password):
                        self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
                        continue
                    logged_in = True
                elif command == "LOGOUT":
                    self.send("* BYE logging out")
                    self.send(f"{tag} OK LOGOUT completed")
                    return
                elif not logged_in:
                    self.send(f"{tag} BAD log in first")
                    continue
                elif command in {"SELECT", "EXAMINE"}:
                    self.send(f"* {len(box.letters)} EXISTS")
                    self.send("* FLAGS (\\Seen)")
                    self.send(f"* OK [UIDVALIDITY {box.uidvalidity}] UIDs valid")
                    mode = "READ-ONLY" if command == "EXAMINE" else "READ-WRITE"
                    self.send(f"{tag} OK [{mode}] {command} completed")
                    continue
                elif command == "UID SEARCH":
                    self.send("* SEARCH " + " ".join(str(uid) for uid in box.search(args)))
                elif command == "UID FETCH":
                    uid = int(args.split(" ", 1)[0])
                    if uid in box.letters:
                        body = box.letters[uid]
                        seq = sorted(box.letters).index(uid) + 1
                        self.wfile.write(f"* {seq} FETCH (UID {uid} BODY[] {{{len(body)}}}\r\n".encode())
                        self.wfile.write(body)
                        self.send(")")
                else:
                    self.send(f"{tag} BAD unknown command")
                    continue
                self.send(f"{tag} OK {command} completed")

    return Handler


class FakeImap:
    """`with FakeImap() as server:` — `server.box` is the mailbox, `server.config` the settings."""

    def __init__(self):
        self.box = Mailbox()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(self.box))
        self._server.daemon_threads = True

    @property
    def config(self) -> dict:
        return {
            "host": "127.0.0.1",
            "port": self._server.server_address[1],
            "ssl": False,
            "user": self.box.user,
            "password": self.box.password,
            "folder": "INBOX",
        }

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
