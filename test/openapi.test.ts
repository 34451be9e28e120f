import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../src/openapi/build-document.ts";
import { call } from "./support/worker.ts";

interface Document {
  openapi: string;
  servers: unknown;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
  components: {
    schemas: Record<string, { properties: Record<string, Record<string, unknown>>; required?: string[] }>;
    securitySchemes: Record<string, unknown>;
  };
}

async function served(): Promise<Document> {
  const response = await call("/openapi.json");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/json");
  return response.json();
}

describe("GET /openapi.json", () => {
  it("is the document the zod schemas generate (built into the static assets on every build)", async () => {
    expect(await served()).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it("covers every endpoint, status and field of the reference page", async () => {
    const document = await served();
    expect(document.openapi).toBe("3.1.0");
    const prefix = "/api/v1/admin/auth";
    expect(Object.keys(document.paths[`${prefix}/login`] ?? {})).toEqual(["post"]);
    expect(Object.keys(document.paths[`${prefix}/logout`] ?? {})).toEqual(["post"]);
    expect(Object.keys(document.paths[`${prefix}/me`] ?? {})).toEqual(["get"]);
    expect(Object.keys(document.paths[`${prefix}/refresh`] ?? {})).toEqual(["post"]);
    for (const [path, method, statuses] of [
      ["/login", "post", ["200", "401", "403", "413", "422", "429"]],
      ["/logout", "post", ["200", "401", "413", "429"]],
      ["/sessions/{id}", "delete", ["200", "401", "404", "429"]],
      ["/me", "get", ["200", "401", "422"]],
      ["/refresh", "post", ["200", "401", "413", "422"]],
    ] as const) {
      expect(Object.keys(document.paths[`${prefix}${path}`]?.[method]?.responses ?? {})).toEqual(expect.arrayContaining([...statuses]));
    }
    const schemas = document.components.schemas;
    const fields = (name: string) => Object.keys(schemas[name]?.properties ?? {});
    const required = (name: string) => schemas[name]?.required ?? [];
    expect(fields("scaikey__api__v1__admin__auth__LoginRequest")).toEqual(["email", "password", "mfa_code"]);
    expect(required("scaikey__api__v1__admin__auth__LoginRequest")).toEqual(["email", "password"]);
    expect(schemas.scaikey__api__v1__admin__auth__LoginRequest?.properties.email?.format).toBe("email");
    expect(fields("scaikey__api__v1__admin__auth__LoginResponse")).toEqual(expect.arrayContaining(["access_token", "refresh_token", "user"]));
    expect(fields("scaikey__api__v1__me__auth__RefreshRequest")).toEqual(["refresh_token"]);
    expect(fields("scaikey__api__v1__me__auth__RefreshResponse")).toEqual(expect.arrayContaining(["access_token", "refresh_token"]));
    expect(document.components.securitySchemes.HTTPBearer).toEqual({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(document.paths[`${prefix}/me`]?.get?.security).toEqual([{ HTTPBearer: [] }]);
    expect(document.paths[`${prefix}/login`]?.post?.security).toEqual([]);
    expect(document.paths[`${prefix}/refresh`]?.post?.security).toEqual([]);
    expect(document.servers).toEqual([{ url: "/" }]);
  });

  it("describes validation errors with FastAPI's own two components", async () => {
    const { schemas } = (await served()).components;
    expect(schemas.HTTPValidationError).toEqual({
      title: "HTTPValidationError",
      type: "object",
      properties: { detail: { title: "Detail", type: "array", items: { $ref: "#/components/schemas/ValidationError" } } },
    });
    expect(schemas.ValidationError).toEqual({
      title: "ValidationError",
      type: "object",
      properties: {
        loc: { title: "Location", type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
        msg: { title: "Message", type: "string" },
        type: { title: "Error Type", type: "string" },
        input: { title: "Input" },
        ctx: { title: "Context", type: "object" },
      },
      required: ["loc", "msg", "type"],
    });
  });

  it("documents the second factor: the login's mfa_code, mfa_enabled, and the three enrolment routes", async () => {
    const document = await served();
    const prefix = "/api/v1/admin/auth/mfa/totp";
    for (const [action, statuses, response] of [
      ["setup", ["200", "401", "409", "413", "429", "503"], "TotpSetupResponse"],
      ["confirm", ["200", "400", "401", "409", "413", "422", "429", "503"], "TotpConfirmResponse"],
      ["disable", ["200", "400", "401", "409", "413", "422", "429", "503"], "TotpDisableResponse"],
    ] as const) {
      const operation = document.paths[`${prefix}/${action}`]?.post as unknown as {
        security: unknown;
        requestBody?: { content: Record<string, { schema: unknown }> };
        responses: Record<string, { content: Record<string, { schema: unknown }> }>;
      };
      expect(Object.keys(operation.responses)).toEqual(statuses);
      expect(operation.security).toEqual([{ HTTPBearer: [] }]);
      expect(operation.responses[200]?.content["application/json"]?.schema).toEqual({ $ref: `#/components/schemas/${response}` });
      expect(operation.requestBody?.content["application/json"]?.schema).toEqual(
        action === "setup" ? undefined : { $ref: "#/components/schemas/MfaCodeRequest" },
      );
    }
    const schemas = document.components.schemas;
    expect(Object.keys(schemas.TotpSetupResponse?.properties ?? {})).toEqual(["secret", "otpauth_uri"]);
    expect(Object.keys(schemas.TotpConfirmResponse?.properties ?? {})).toEqual(["recovery_codes"]);
    expect(schemas.MfaCodeRequest?.required).toEqual(["code"]);
    expect(schemas.AdminUser?.required).toContain("mfa_enabled");
    expect(schemas.scaikey__api__v1__admin__auth__LoginRequest?.required).toEqual(["email", "password"]);
  });

  it("documents a password change's answer as a new session's tokens", async () => {
    const { schemas } = (await served()).components;
    const tokenFields = ["message", "access_token", "refresh_token", "token_type", "expires_in"];
    expect(Object.keys(schemas.PasswordChangeResponse?.properties ?? {})).toEqual(tokenFields);
    expect(schemas.PasswordChangeResponse?.required).toEqual(tokenFields);
  });

  it("documents every passkey route, and the step-up 401 with its WWW-Authenticate on the seven routes that need a recent sign-in", async () => {
    const document = await served();
    const prefix = "/api/v1/admin/auth";
    type Operation = { security: unknown; responses: Record<string, { headers?: Record<string, unknown> }> };
    const operation = (path: string, method: string) => document.paths[`${prefix}${path}`]?.[method] as unknown as Operation;
    for (const [path, method, statuses, needsToken] of [
      ["/passkeys/register/options", "post", ["200", "401", "429", "503"], true],
      ["/passkeys/register/verify", "post", ["200", "400", "401", "409", "413", "422", "429", "503"], true],
      ["/passkeys/login/options", "post", ["200", "429", "503"], false],
      ["/passkeys/login/verify", "post", ["200", "401", "403", "413", "422", "429", "503"], false],
      ["/passkeys", "get", ["200", "401", "503"], true],
      ["/passkeys/{id}", "patch", ["200", "401", "404", "409", "413", "422", "429", "503"], true],
      ["/passkeys/{id}", "delete", ["200", "401", "404", "409", "429", "503"], true],
      ["/passkeys/only", "post", ["200", "401", "409", "413", "422", "429", "503"], true],
    ] as const) {
      expect(Object.keys(operation(path, method).responses)).toEqual(statuses);
      expect(operation(path, method).security).toEqual(needsToken ? [{ HTTPBearer: [] }] : []);
    }
    const stepUp = [
      ["/mfa/totp/setup", "post"],
      ["/mfa/totp/confirm", "post"],
      ["/mfa/totp/disable", "post"],
      ["/passkeys/register/options", "post"],
      ["/passkeys/register/verify", "post"],
      ["/passkeys/{id}", "delete"],
      ["/passkeys/only", "post"],
    ];
    for (const [path = "", method = ""] of stepUp) expect(Object.keys(operation(path, method).responses[401]?.headers ?? {})).toEqual(["WWW-Authenticate"]);
    expect(operation("/passkeys/{id}", "patch").responses[401]?.headers).toBeUndefined();
    const schemas = document.components.schemas;
    expect(schemas.AdminUser?.required).toContain("passkey_only");
    expect(Object.keys(schemas.AdminUser?.properties ?? {}).slice(-2)).toEqual(["mfa_enabled", "passkey_only"]);
    expect(schemas.PasskeyRegistrationRequest?.properties.response).toMatchObject({ type: "object" });
    expect(schemas.PasskeyRegistrationRequest?.required).toEqual(["response"]);
    expect(schemas.PasskeyRenameRequest?.properties.name).toMatchObject({ type: "string", minLength: 1, maxLength: 64 });
    expect(schemas.PasskeyOnlyRequest?.properties.enabled).toMatchObject({ type: "boolean" });
    expect(Object.keys(schemas.Passkey?.properties ?? {})).toEqual(["id", "name", "created_at", "last_used_at", "backed_up", "transports"]);
  });
});
