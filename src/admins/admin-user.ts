import type { AdminRow } from "../db/schema.ts";

/** The public view of an admin: never a hash, salt or token. Key order is the wire order. */
export interface AdminUser {
  id: string;
  email: string;
  name: string;
  role: string;
  is_active: boolean;
  created_at: string;
  last_login_at: string | null;
  mfa_enabled: boolean;
  /** Only a passkey signs this admin in: a password alone is refused. */
  passkey_only: boolean;
}

export function toAdminUser(admin: AdminRow): AdminUser {
  return {
    id: admin.id,
    email: admin.email,
    name: admin.name,
    role: admin.role,
    is_active: admin.isActive,
    created_at: new Date(admin.createdAt).toISOString(),
    last_login_at: admin.lastLoginAt === null ? null : new Date(admin.lastLoginAt).toISOString(),
    mfa_enabled: admin.totpSecret !== null,
    passkey_only: admin.passkeyOnly,
  };
}
