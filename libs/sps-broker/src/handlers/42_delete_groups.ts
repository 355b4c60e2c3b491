/**
 * DeleteGroups (key 42), v0–1.
 * v0: group ids; each result has an error: NON_EMPTY_GROUP while the group has members,
 *     GROUP_ID_NOT_FOUND for an unknown group.
 * v1: same as v0.
 * Deleting a group deletes its committed offsets.
 */
import { ApiKey } from '@orders/kafka-protocol';
import { defineHandler } from './handler.js';

export default defineHandler<{ groupsNames: string[] }>({
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 1,
  async handle(req, { state }) {
    const results = [];
    for (const groupId of req.groupsNames)
      results.push({ groupId, errorCode: await state.groups.delete(groupId) });
    return { throttleTimeMs: 0, results };
  },
});
