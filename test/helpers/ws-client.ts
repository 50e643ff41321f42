import WebSocket from 'ws'

/** What opening a WebSocket gave: the open socket, or the HTTP status the upgrade was refused with. */
export type Opened = { socket: WebSocket, status?: undefined } | { socket?: undefined, status: number }

/**
 * Opens a real WebSocket (the `ws` client) to `url` with `cookie`, as a browser sends it on the
 * upgrade request. A refused upgrade resolves to its HTTP status instead of failing.
 */
export async function openSocket (url: string, cookie: string | undefined): Promise<Opened> {
  const socket = new WebSocket(url, cookie === undefined ? {} : { headers: { cookie } })
  return await new Promise<Opened>((resolve, reject) => {
    socket.once('open', () => resolve({ socket }))
    socket.once('unexpected-response', (_req, res) => {
      res.resume()
      resolve({ status: res.statusCode ?? 0 })
      socket.terminate()
    })
    socket.once('error', reject)
  })
}

/** Sends `message` and resolves to the next message the server sends, as text. */
export async function ask (socket: WebSocket, message: string): Promise<string> {
  const reply = new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString())))
  socket.send(message)
  return await reply
}

/** Closes the socket and waits until it is closed. */
export async function closeSocket (socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return
  await new Promise((resolve) => {
    socket.once('close', resolve)
    socket.close()
  })
}
