// A JavaScript Worker's use of the declarations of testdata/shop: what
// compiles, and what must not.
import type { Admin, Catalog, Env, Item } from "../testdata/shop";

export async function use(env: Env): Promise<string> {
  const shop = env.SHOP.getByName("a");
  const item: Item = { id: "x", name: "pen", price: 2, note: null, meta: null, sizes: [1, 2, 3], extra: { On: true } };
  const n: number = await shop.add(item, 2);
  const found: Item | null = await shop.find("pen");
  const all: Item[] | null = await shop.list();
  await shop.setLevel(3, new Date());
  const raw: Uint8Array | null = await shop.raw(new Uint8Array([1]), true, "r", 0);
  const forwarded = await shop.forward(new Request("https://example.com/"), new Headers({ "x-extra": "1" }));
  const status: number | undefined = forwarded?.status;
  // @ts-expect-error: Go takes Headers, not a plain object
  await shop.forward(null, 1);
  // @ts-expect-error: a string where Go takes an int
  await shop.add(item, "two");
  // @ts-expect-error: a field of the wrong type
  await shop.add({ ...item, price: "2" }, 1);
  // @ts-expect-error: String (fmt.Stringer) is not exposed
  await shop.string();
  // @ts-expect-error: nor is the mutex's Lock
  await shop.lock();
  // A stub as an argument and a result.
  const supplier: Fetcher | null = await shop.supplier(env.LEDGER.getByName("s"));
  // @ts-expect-error: a string where Go takes a stub
  await shop.supplier("s");
  const ledger = env.LEDGER.getByName("l");
  // @ts-expect-error: Ledger's Expose lists only Ping
  await ledger.secret();
  return `${n} ${found?.name} ${all?.length} ${raw?.length} ${status} ${await ledger.ping()}`;
}

// The entrypoints, through service bindings.
export async function services(catalog: Service<Catalog>, admin: Service<Admin>, item: Item): Promise<number> {
  const price: number = await catalog.price("pen");
  await admin.restock(item, 3);
  // @ts-expect-error: a number where Go takes a string
  await catalog.price(1);
  // @ts-expect-error: Wipe is kept off RPC by worker.Hide
  await admin.wipe();
  // @ts-expect-error: String (fmt.Stringer) is not exposed
  await catalog.string();
  const resp: Response = await catalog.fetch("https://example.com/");
  return price + resp.status;
}
