"""
smtp_sink.py: a small SMTP server for the end-to-end tests (standard library
only). It speaks enough SMTP for libcurl (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT; no STARTTLS, no AUTH), keeps every message it accepts in
`messages` as (sender, [recipients], raw bytes), and refuses the recipients in
`reject` with 550, as a real server refuses an unknown mailbox.
"""
import socket
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        sink = self.server.sink
        sender, rcpts = None, []
        self.reply("220 sink.test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("utf-8", "replace").strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-sink.test")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 sink.test")
            elif verb == "MAIL":
                sender, rcpts = cmd[cmd.index(":") + 1:].strip().strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                addr = cmd[cmd.index(":") + 1:].strip().strip("<>")
                if addr in sink.reject:
                    self.reply("550 5.1.1 mailbox unavailable")
                else:
                    rcpts.append(addr)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk == b".\r\n":
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                with sink.lock:
                    sink.messages.append((sender, rcpts, data))
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    def __init__(self):
        self.messages, self.reject, self.lock = [], set(), threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.sink = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
