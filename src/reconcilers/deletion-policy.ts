/**
 * The deletion policy in force for either kind: what the spec says, else Retain for an object
 * that adopted what was built by hand (deleting the object must not take down what it merely
 * took over) and Delete for one that built everything itself. Status shows the answer.
 */
export function deletionPolicyOf(spec: {
  adopt?: object;
  deletionPolicy?: 'Delete' | 'Retain';
}): 'Delete' | 'Retain' {
  return spec.deletionPolicy ?? (spec.adopt ? 'Retain' : 'Delete');
}
