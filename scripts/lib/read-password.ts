import { stderr, stdin } from "node:process";

/**
 * The password never comes from argv (visible in `ps` and shell history):
 * `ADMIN_PASSWORD`, or a prompt that does not echo.
 */
export async function readPassword(prompt: string): Promise<string> {
  const fromEnv = process.env.ADMIN_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (!stdin.isTTY) throw new Error("Set ADMIN_PASSWORD or run in a terminal to be prompted for the password");
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  let password = "";
  try {
    for await (const chunk of stdin) {
      for (const char of chunk as string) {
        if (char === "\r" || char === "\n") return password;
        if (char === "\u0003") throw new Error("Cancelled");
        if (char === "\u007f" || char === "\b") password = password.slice(0, -1);
        else password += char;
      }
    }
    return password;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stderr.write("\n");
  }
}
