ALTER TABLE "user_notification_settings" DROP COLUMN "email";--> statement-breakpoint
ALTER TABLE "user_notification_settings" DROP COLUMN "slack_webhook_url";