ALTER TABLE `login_throttle` ADD `locked_at` integer;--> statement-breakpoint
ALTER TABLE `login_throttle` ADD `refused_attempts` integer DEFAULT 0 NOT NULL;