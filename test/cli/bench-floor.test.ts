import { describe, expect, it } from "vitest";
import { checkFloorCalls } from "../../bench/lib/floor-calls.ts";

describe("the bench's floor", () => {
  it("makes each route's platform calls and writes its request line, as the real worker does", async () => {
    await expect(checkFloorCalls()).resolves.toBeUndefined();
  });
});
