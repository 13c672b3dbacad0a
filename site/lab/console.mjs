// Commands over a guest's serial console, with their output and exit status.
//
// The guest's console loop (site/guest/console.sh) reads one line per command, "ID BASE64", runs the
// decoded text with sh and frames its output with two marker lines made of a byte no command prints
// (\x01): "\x01B ID" before and "\x01E ID STATUS" after. The command travels as base64 so that no
// quoting, newline or control character in it can reach the console loop itself. One command runs at
// a time; the others wait their turn.

const START = "\x01B ";
const END = "\x01E ";
// The line the tty accepts is 4095 bytes; base64 makes a command a third longer.
export const MAX_COMMAND_BYTES = 3000;

export class CommandTimeout extends Error {
  constructor(host, command, seconds, output) {
    super(`${host}: "${command}" did not finish within ${seconds} s`);
    this.name = "CommandTimeout";
    this.host = host;
    this.command = command;
    this.seconds = seconds;
    this.output = output;
  }
}

const toBase64 = (text) => {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
};

export class SerialConsole {
  // send(text) writes to the guest's serial port; the owner calls feed(byte) for each byte it prints.
  constructor(host, send) {
    this.host = host;
    this.send = send;
    this.line = [];
    this.waiting = null; // the running command: {id, output[], resolve, reject, timer}
    this.queue = Promise.resolve();
    this.counter = 0;
    this.listeners = [];
  }

  // Every line the console prints that is not a command's (kernel messages, a guest's own output).
  onLine(listener) {
    this.listeners.push(listener);
  }

  feed(byte) {
    if (byte === 10) {
      const text = new TextDecoder().decode(new Uint8Array(this.line)).replace(/\r$/, "");
      this.line = [];
      this.takeLine(text);
    } else {
      this.line.push(byte);
    }
  }

  takeLine(text) {
    const running = this.waiting;
    if (running && text === START + running.id) {
      running.started = true;
      return;
    }
    if (running && text.startsWith(END + running.id + " ")) {
      clearTimeout(running.timer);
      this.waiting = null;
      const status = Number(text.slice(END.length + running.id.length + 1));
      running.resolve({ output: running.output.join("\n") + (running.output.length ? "\n" : ""), status });
      return;
    }
    if (running && running.started) {
      running.output.push(text);
      return;
    }
    for (const listener of this.listeners) listener(text);
  }

  // Run ``command`` with sh in the guest: {output, status}, stdout and stderr together. After
  // ``seconds`` the command is interrupted (Ctrl-C on the console) and the promise rejects with a
  // CommandTimeout that carries the output so far.
  run(command, seconds = 30) {
    const result = this.queue.then(() => this.runNow(command, seconds));
    this.queue = result.catch(() => undefined);
    return result;
  }

  runNow(command, seconds) {
    const encoded = toBase64(command);
    if (encoded.length > (MAX_COMMAND_BYTES * 4) / 3 + 4) {
      return Promise.reject(new Error(`${this.host}: a command may be at most ${MAX_COMMAND_BYTES} bytes`));
    }
    this.counter += 1;
    const id = `${Date.now().toString(36)}${this.counter}`;
    return new Promise((resolve, reject) => {
      const running = { id, output: [], started: false, resolve, reject, timer: null };
      running.timer = setTimeout(() => {
        this.send("\x03");
        // The guest's loop answers an interrupted command with its end marker; if even that does not
        // come, the console is given up on for this command.
        running.timer = setTimeout(() => {
          if (this.waiting === running) this.waiting = null;
          reject(new CommandTimeout(this.host, command, seconds, running.output.join("\n")));
        }, 2000);
        running.resolve = () => reject(new CommandTimeout(this.host, command, seconds, running.output.join("\n")));
      }, seconds * 1000);
      this.waiting = running;
      this.send(`${id} ${encoded}\n`);
    });
  }
}
