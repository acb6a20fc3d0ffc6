// A JavaScript Worker's use of examples/counter's declarations.
import type { Env, Step } from "../../../examples/counter/counter";

export async function use(env: Env): Promise<number> {
  const counter = env.COUNTER.getByName("apples");
  const value: number = await counter.increment(5);
  const history: Step[] | null = await counter.history();
  // @ts-expect-error: increment takes a number
  await counter.increment("5");
  // @ts-expect-error: there is no decrement
  await counter.decrement(1);
  return value + (history?.length ?? 0) + (await counter.get());
}
