ALTER TABLE "dlq_messages" ADD COLUMN "tenant_id" text;--> statement-breakpoint
CREATE INDEX "dlq_messages_tenant_idx" ON "dlq_messages" USING btree ("tenant_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notification_log_all_failures_idx" ON "notification_log" USING btree ("status_at" DESC NULLS LAST) WHERE "notification_log"."status" = 'FAILED';