ALTER TABLE "user_notification_settings" ADD COLUMN "contacts" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
-- Written by hand after drizzle-kit's ADD COLUMN: the existing contact points move into
-- `contacts`, keyed by channel id; 0006 then drops the old columns (expand, copy, contract).
UPDATE "user_notification_settings"
SET "contacts" = jsonb_strip_nulls(jsonb_build_object('EMAIL', "email", 'SLACK', "slack_webhook_url"))
WHERE "email" IS NOT NULL OR "slack_webhook_url" IS NOT NULL;
