// What a promise rejects with, for tests about errors: the test fails if it resolves instead, or
// (given `type`) if it rejects with anything else.
export async function rejection<E extends Error = Error>(promise: Promise<unknown>, type?: abstract new (...args: never[]) => E): Promise<E> {
  let resolved = false;
  const err = await promise.then(
    () => void (resolved = true),
    (e: unknown) => e,
  );
  if (resolved) throw new Error('expected a rejection, but the promise resolved');
  if (type && !(err instanceof type)) throw new Error(`expected a ${type.name}, got ${String(err)}`);
  return err as E;
}
