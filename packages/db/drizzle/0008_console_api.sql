CREATE TABLE "notification_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notification_id" text NOT NULL,
	"status" text NOT NULL,
	"status_at" timestamp with time zone NOT NULL,
	"attempts" integer,
	"reason_code" text,
	"error_message" text,
	"latency_ms" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "notification_events_fact_idx" ON "notification_events" USING btree ("notification_id","status_at","status",coalesce("attempts", -1));--> statement-breakpoint
CREATE INDEX "dlq_messages_notification_idx" ON "dlq_messages" USING btree ("notification_id");--> statement-breakpoint
CREATE INDEX "notification_log_tenant_created_idx" ON "notification_log" USING btree ("tenant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notification_log_created_idx" ON "notification_log" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notification_log_tenant_status_created_idx" ON "notification_log" USING btree ("tenant_id","status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "notification_log"."status" <> 'SENT';--> statement-breakpoint
CREATE INDEX "notification_log_status_created_idx" ON "notification_log" USING btree ("status","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "notification_log"."status" <> 'SENT';--> statement-breakpoint
CREATE INDEX "notification_log_event_idx" ON "notification_log" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "notification_log_user_created_idx" ON "notification_log" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);