CREATE TABLE "dlq_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"domain" text NOT NULL,
	"dlq_topic" text NOT NULL,
	"dlq_partition" integer NOT NULL,
	"dlq_offset" bigint NOT NULL,
	"original_topic" text NOT NULL,
	"original_partition" integer,
	"original_offset" bigint,
	"channel" text,
	"event_id" text,
	"notification_id" text,
	"error_code" text,
	"error_message" text NOT NULL,
	"retry_count" integer DEFAULT 0 NOT NULL,
	"failed_at" timestamp with time zone NOT NULL,
	"key" text,
	"value" "bytea",
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"replay_count" integer DEFAULT 0 NOT NULL,
	"last_replayed_at" timestamp with time zone,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_users" (
	"tenant_id" text NOT NULL,
	"order_id" text NOT NULL,
	"user_id" text NOT NULL,
	"learned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_users_tenant_id_order_id_pk" PRIMARY KEY("tenant_id","order_id")
);
--> statement-breakpoint
CREATE TABLE "parked_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"event_type" text NOT NULL,
	"waiting_for" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"offset" bigint NOT NULL,
	"key" text,
	"value" "bytea" NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"parked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deadline_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payment_orders" (
	"tenant_id" text NOT NULL,
	"payment_id" text NOT NULL,
	"order_id" text NOT NULL,
	"learned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_orders_tenant_id_payment_id_pk" PRIMARY KEY("tenant_id","payment_id")
);
--> statement-breakpoint
CREATE TABLE "processed_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"event_type" text NOT NULL,
	"outcome" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "delivery_stats" (
	"tenant_id" text NOT NULL,
	"date" date NOT NULL,
	"channel" text NOT NULL,
	"sent_count" integer DEFAULT 0 NOT NULL,
	"failed_count" integer DEFAULT 0 NOT NULL,
	"skipped_count" integer DEFAULT 0 NOT NULL,
	"success_rate" numeric(5, 4) GENERATED ALWAYS AS (case when sent_count + failed_count = 0 then null else round(sent_count::numeric / (sent_count + failed_count), 4) end) STORED,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "delivery_stats_tenant_id_date_channel_pk" PRIMARY KEY("tenant_id","date","channel")
);
--> statement-breakpoint
CREATE TABLE "notification_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notification_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"event_id" text NOT NULL,
	"event_type" text NOT NULL,
	"user_id" text NOT NULL,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"recipient" text,
	"reason_code" text,
	"error_message" text,
	"attempts" integer,
	"provider_message_id" text,
	"sent_at" timestamp with time zone,
	"status_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_log_notificationId_unique" UNIQUE("notification_id")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"name" text,
	"time_zone" text DEFAULT 'Asia/Seoul' NOT NULL,
	"slack_webhook_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_notification_settings" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"email" text,
	"locale" text DEFAULT 'ko' NOT NULL,
	"time_zone" text DEFAULT 'Asia/Seoul' NOT NULL,
	"slack_webhook_url" text,
	"channels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"event_types" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_notification_settings_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dlq_messages_source_idx" ON "dlq_messages" USING btree ("dlq_topic","dlq_partition","dlq_offset");--> statement-breakpoint
CREATE INDEX "dlq_messages_status_idx" ON "dlq_messages" USING btree ("status","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "parked_events_waiting_for_idx" ON "parked_events" USING btree ("tenant_id","waiting_for");--> statement-breakpoint
CREATE INDEX "parked_events_deadline_idx" ON "parked_events" USING btree ("deadline_at");--> statement-breakpoint
CREATE INDEX "processed_events_processed_at_idx" ON "processed_events" USING btree ("processed_at");--> statement-breakpoint
CREATE INDEX "notification_log_user_history_idx" ON "notification_log" USING btree ("tenant_id","user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "notification_log_failures_idx" ON "notification_log" USING btree ("tenant_id","status_at" DESC NULLS LAST) WHERE "notification_log"."status" = 'FAILED';