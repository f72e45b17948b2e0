/**
 * IAM has no per-operation actions for API Gateway: it authorizes `apigateway:<HTTP verb>` on
 * the resource path (`arn:aws:apigateway:<region>::/apis/<id>/routes/*`). This table maps each
 * API Gateway v2 operation to its IAM action; the recorded-actions test (aws-actions.ts) and
 * the static scan of the source (test/policy/iam-policy.test.ts) both go through it.
 */
export const APIGATEWAY_IAM_ACTION: Readonly<Record<string, string>> = {
  CreateApi: 'apigateway:POST',
  GetApi: 'apigateway:GET',
  GetRoutes: 'apigateway:GET',
  CreateRoute: 'apigateway:POST',
  UpdateRoute: 'apigateway:PATCH',
  DeleteRoute: 'apigateway:DELETE',
  GetIntegrations: 'apigateway:GET',
  GetIntegration: 'apigateway:GET',
  CreateIntegration: 'apigateway:POST',
  UpdateIntegration: 'apigateway:PATCH',
  DeleteIntegration: 'apigateway:DELETE',
  GetVpcLinks: 'apigateway:GET',
  GetVpcLink: 'apigateway:GET',
  CreateVpcLink: 'apigateway:POST',
  DeleteVpcLink: 'apigateway:DELETE',
};

/** The IAM action of an API Gateway v2 operation. @throws for one the table lacks (add it). */
export function apigatewayIamAction(operation: string): string {
  const action = APIGATEWAY_IAM_ACTION[operation];
  if (!action)
    throw new Error(
      `no IAM action known for API Gateway operation ${operation}: add it to apigateway-iam.ts`,
    );
  return action;
}
