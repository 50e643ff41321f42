// A shopping cart kept in the session, on the memory store: add products by id, read the cart with
// its total, clear it. Run: `npx tsx examples/cart.ts`, then
//   curl -c jar -b jar -X POST localhost:3000/cart/2 && curl -b jar localhost:3000/cart
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import fastifySession, { generateSecret, MemoryStore } from 'fastify-session-kit'

declare module 'fastify-session-kit' {
  interface SessionData {
    cart: Array<{ id: number, qty: number }>
  }
}

// Prices in cents: the session holds ids and quantities, never a price a client could change.
const PRODUCTS = new Map([
  [1, { name: 'Espresso beans, 250 g', priceCents: 1250 }],
  [2, { name: 'Ceramic mug', priceCents: 899 }]
])

/** The app, not listening. */
export async function build (secret = process.env.SESSION_SECRET ?? generateSecret()): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifySession, { secret, store: new MemoryStore() })

  app.get('/cart', async (request) => {
    const cart = request.session.get('cart') ?? []
    const items = cart.map((line) => {
      const product = PRODUCTS.get(line.id)
      return { id: line.id, name: product?.name, qty: line.qty, subtotalCents: (product?.priceCents ?? 0) * line.qty }
    })
    return { items, totalCents: items.reduce((sum, i) => sum + i.subtotalCents, 0) }
  })

  app.post<{ Params: { id: string } }>('/cart/:id', async (request, reply) => {
    const id = Number(request.params.id)
    if (!PRODUCTS.has(id)) return reply.code(404).send({ error: 'no such product' })
    const cart = request.session.get('cart') ?? []
    const line = cart.find((l) => l.id === id)
    if (line === undefined) cart.push({ id, qty: 1 })
    else line.qty++
    request.session.set('cart', cart)
    return { added: id }
  })

  app.delete('/cart', async (request) => {
    request.session.delete('cart')
    return { cleared: true }
  })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const app = await build()
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
  console.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`)
}
