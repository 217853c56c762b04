CREATE TABLE "dlq_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dlq_message_id" bigint NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"detail" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dlq_messages" ADD COLUMN "discard_reason" text;--> statement-breakpoint
ALTER TABLE "dlq_messages" ADD COLUMN "replay_of" bigint;--> statement-breakpoint
ALTER TABLE "dlq_audit" ADD CONSTRAINT "dlq_audit_dlq_message_id_dlq_messages_id_fk" FOREIGN KEY ("dlq_message_id") REFERENCES "public"."dlq_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dlq_audit_message_idx" ON "dlq_audit" USING btree ("dlq_message_id","id");--> statement-breakpoint
CREATE INDEX "dlq_messages_event_idx" ON "dlq_messages" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "dlq_messages_replay_of_idx" ON "dlq_messages" USING btree ("replay_of");--> statement-breakpoint
UPDATE "dlq_messages" SET "status" = 'REPLAYED' WHERE "status" = 'RETRIED';
