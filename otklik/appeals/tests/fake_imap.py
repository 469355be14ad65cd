"""A small IMAP4rev1 server on 127.0.0.1 for the mail intake's tests: one mailbox, the commands
Python's imaplib sends for it (CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH BODY.PEEK[],
UID STORE +FLAGS, LOGOUT), over a real socket."""

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    user: str = "obr@example.ru"
    password: str = "secret"
    letters: dict[int, bytes] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes) -> int:
        uid = max(self.letters, default=100) + 1
        self.letters[uid] = raw
        return uid

    def unseen(self) -> list[int]:
        return [uid for uid in sorted(self.letters) if uid not in self.seen]


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
                elif command == "SELECT":
                    self.send(f"* {len(box.letters)} EXISTS")
                    self.send("* FLAGS (\\Seen)")
                    self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                    continue
                elif command == "UID SEARCH":
                    self.send("* SEARCH " + " ".join(str(uid) for uid in box.unseen()))
                elif command == "UID FETCH":
                    uid = int(args.split(" ", 1)[0])
                    if uid in box.letters:
                        body = box.letters[uid]
                        seq = sorted(box.letters).index(uid) + 1
                        self.wfile.write(f"* {seq} FETCH (UID {uid} BODY[] {{{len(body)}}}\r\n".encode())
                        self.wfile.write(body)
                        self.send(")")
                elif command == "UID STORE":
                    uid = int(args.split(" ", 1)[0])
                    if re.search(r"\\Seen", args, re.I) and uid in box.letters:
                        box.seen.add(uid)
                        seq = sorted(box.letters).index(uid) + 1
                        self.send(f"* {seq} FETCH (UID {uid} FLAGS (\\Seen))")
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
