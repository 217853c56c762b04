import type { Database } from "@fluxnotify/db";
import { truncateReadModel } from "@fluxnotify/db/queries/read-model";
import type { KafkaAdmin } from "@fluxnotify/shared/kafka";
import type { Logger } from "@fluxnotify/shared/logger";

/**
 * Empties the read model and forgets the projection group's offsets, so the next start of
 * query-api replays the delivery-events topic from its earliest retained record.
 *
 * Order matters: deleting the group first proves no projection is running (the broker
 * refuses while the group has members); truncating first could leave an empty read model
 * behind a group whose offsets still point at the end. Keep query-api stopped until done.
 */
export async function rebuildReadModel(deps: {
  admin: KafkaAdmin;
  db: Database;
  groupId: string;
  logger: Logger;
}) {
  await deps.admin.deleteGroup(deps.groupId);
  deps.logger.info({ groupId: deps.groupId }, "projection group offsets deleted");
  await truncateReadModel(deps.db);
  deps.logger.info("notification_log, delivery_stats and notification_events emptied");
}
