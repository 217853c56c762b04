CREATE TABLE "inbox_items" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"notification_id" text NOT NULL,
	"event_type" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"read_at" timestamp with time zone,
	CONSTRAINT "inbox_items_tenant_id_user_id_seq_pk" PRIMARY KEY("tenant_id","user_id","seq"),
	CONSTRAINT "inbox_items_notificationId_unique" UNIQUE("notification_id")
);
--> statement-breakpoint
CREATE TABLE "inbox_state" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"unread_count" integer DEFAULT 0 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "inbox_state_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
--> statement-breakpoint
CREATE INDEX "inbox_items_unread_idx" ON "inbox_items" USING btree ("tenant_id","user_id","seq") WHERE "inbox_items"."read_at" is null;