CREATE TABLE `unknown_email_attempts` (
	`client` text NOT NULL,
	`hour` integer NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`lockouts` integer DEFAULT 0 NOT NULL,
	`refused_attempts` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`client`, `hour`)
);
